// AudioWorklet: microphone float samples -> 16 kHz mono int16 frames of 20 ms, posted to the page.
class PcmCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.target = (options && options.processorOptions && options.processorOptions.targetRate) || 16000;
    this.ratio = sampleRate / this.target; // input samples per output sample
    this.pos = 0; // fractional read position into the pending input
    this.pending = new Float32Array(0);
    this.frame = new Int16Array(this.target / 50); // 20 ms
    this.filled = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || !input[0]) return true;
    const ch = input[0];
    // append to pending
    const merged = new Float32Array(this.pending.length + ch.length);
    merged.set(this.pending, 0);
    merged.set(ch, this.pending.length);
    let pos = this.pos;
    while (pos + this.ratio <= merged.length) {
      // average the input samples covered by this output sample (simple anti-aliasing)
      const start = Math.floor(pos);
      const end = Math.max(start + 1, Math.floor(pos + this.ratio));
      let sum = 0;
      for (let i = start; i < end; i++) sum += merged[i];
      let v = sum / (end - start);
      v = Math.max(-1, Math.min(1, v));
      this.frame[this.filled++] = v < 0 ? v * 32768 : v * 32767;
      if (this.filled === this.frame.length) {
        this.port.postMessage(this.frame.slice(0));
        this.filled = 0;
      }
      pos += this.ratio;
    }
    const keep = Math.floor(pos);
    this.pending = merged.slice(keep);
    this.pos = pos - keep;
    return true;
  }
}

registerProcessor('pcm-capture', PcmCapture);
