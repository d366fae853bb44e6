"""Training: courses, sessions, enrolment with a waitlist, attendance, certificates, calendars."""
