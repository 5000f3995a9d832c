"""Knowledge base for 咨询: FAQ store, offline e5 embeddings, faiss + lexical hybrid search."""

from knowledge.client import KnowledgeApi, KnowledgeClient

__all__ = ["KnowledgeApi", "KnowledgeClient"]
