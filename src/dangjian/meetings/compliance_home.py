"""Home page panel: this month's and this quarter's obligations with their state (core.home.home_panel)."""
