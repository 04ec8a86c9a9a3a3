"""The Maastricht demo (SPEC §9): `data` holds the static part (geography, houses, rooms, people, series),
`seed` builds it, with a year of bookings made through the services. `manage.py seed_demo` is the way in."""
