"""sanzhi: scoring engine for 三治融合 (自治·法治·德治) village and community assessments."""

__version__ = "0.1.0"
