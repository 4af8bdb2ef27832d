//! Crisis-game templates built from plain inputs (under construction).
