"""发展党员 (DOMAIN.md §5): so far the rules only (rules.py, periods.py); pages come later."""
