"""Rooms for live demos: phones send drawings, projector walls follow the room's events."""
