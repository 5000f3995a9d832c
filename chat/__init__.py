"""Resident web chat: the hub's ``/api/chat`` in front of Rasa's REST channel.

Residents never reach Rasa directly. Each browser session gets an unguessable cookie; the Rasa
sender id is derived from it, so one session can neither read nor write another's conversation.
"""
