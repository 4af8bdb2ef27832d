//! Game trees as SVG (being written).
