//! The workspace tests, compiled as one binary (ripgrep style).

// Every input format and every kind of bad input, built at test time; accounting; resume.
mod ingest;
