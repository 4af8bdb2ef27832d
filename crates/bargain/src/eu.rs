//! placeholder: the expected-utility model (being written)
