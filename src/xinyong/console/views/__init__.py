"""Console pages, one module per area. Views parse input, call a service, render."""
