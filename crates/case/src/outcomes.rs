//! Outcomes files: what really happened after a case's `as_of`, for scoring forecasts.
