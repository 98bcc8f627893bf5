"""The publishing workflow: submit, review, revise, adjust, and the guards that keep writes inside it."""
