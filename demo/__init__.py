"""Demo data: the top of the dependency graph (ADR 0015).

`manage.py seed_demo` loads each app's demo data (areas.demo, plans.demo,
encounters.demo, dashboard.scale) and the demo users (demo.users). Nothing
else imports this app.
"""
