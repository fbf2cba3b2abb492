// The baseline: the cost of exec'ing a Rust binary that does nothing.
fn main() {}
