# Linli's own processes (hub, action server, bot) on Python 3.11.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg espeak-ng && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core/ core/
COPY cases/ cases/
COPY knowledge/ knowledge/
COPY voice/ voice/
COPY bot/ bot/
COPY actions/ actions/
COPY conversations/ conversations/
COPY chat/ chat/
COPY deliberation/ deliberation/
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir -e ".[kb,voice,bot]"
ENV LINLI_DATA_DIR=/data
VOLUME /data
