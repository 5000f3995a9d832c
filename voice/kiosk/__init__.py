"""The voice kiosk (长辈版): pages, WebSocket voice loop, drafts of unfinished conversations."""
