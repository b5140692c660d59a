"""hirebridge: a self-hostable ATS with a LinkedIn Recruiter System Connect integration."""
