import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured logs, one line per event. Secrets and message bodies are redacted by path. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { ...bindings },
    redact: {
      paths: [
        'password',
        '*.password',
        'apiKey',
        '*.apiKey',
        'authorization',
        '*.authorization',
        'text',
        '*.text',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
