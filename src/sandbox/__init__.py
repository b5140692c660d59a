"""A local emulator of LinkedIn's Recruiter System Connect (Middleware Platform) side.

It shares no code with hirebridge: the two meet only over HTTP, as an ATS and LinkedIn would.
"""
