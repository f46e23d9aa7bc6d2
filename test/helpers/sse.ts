/** One Server-Sent Events message as the client saw it. */
export interface SseMessage {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

/**
 * A minimal EventSource over fetch, as the web UI reads the stream: records
 * messages and comment lines as they arrive, and whether the server ended
 * the stream.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers = new Headers();
  /** The answer's body when it is not a stream (an error). */
  body = "";
  /** The server ended the stream, or it was cut. */
  ended = false;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  async open(url: string, headers: Record<string, string>): Promise<this> {
    const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: this.abort.signal });
    this.status = res.status;
    this.headers = res.headers;
    if (!res.ok || !res.body) {
      this.body = await res.text();
      return this;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    this.done = (async () => {
      let buf = "";
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let at: number;
          while ((at = buf.indexOf("\n\n")) >= 0) {
            this.parse(buf.slice(0, at));
            buf = buf.slice(at + 2);
          }
        }
      } catch {
        /* aborted by close(), or cut */
      }
      this.ended = true;
    })();
    return this;
  }

  private parse(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
      else {
        const i = line.indexOf(": ");
        fields[line.slice(0, i)] = line.slice(i + 2);
      }
    }
    if (fields.data !== undefined) this.messages.push({ id: fields.id ?? "", event: fields.event ?? "message", data: fields.data });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
