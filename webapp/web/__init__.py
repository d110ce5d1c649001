"""What every request goes through: who may reach the app, limits, errors, response headers, reading its input."""
