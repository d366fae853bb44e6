"""The site itself: the home page, navigation, `/verify`, the personal calendar feed and the
personal-data export and erasure that span every domain. It may import every domain; no domain
imports it."""
