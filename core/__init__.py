"""Cross-process pieces shared by every Linli process: settings, contracts, PII masking, logging."""
