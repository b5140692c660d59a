"""ATS → LinkedIn: turning ATS rows into LinkedIn's bodies and sending them."""
