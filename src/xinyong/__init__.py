"""xinyong (信用) — a public credit information platform."""
