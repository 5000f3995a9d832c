"""Fakes of what Linli talks to: Rasa (scripted), the Telegram Bot API, the case system's client
(in memory, ``case_client.py``), and the uvicorn thread they run in."""
