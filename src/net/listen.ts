// Listen on a TCP server (net, tls or the smpp package's): resolves with the bound port, rejects if
// the listen fails (port taken…), and reports later server errors to `onError`.
import type { AddressInfo, Server } from 'node:net';

export function listen(
  server: Server,
  port: number,
  host: string,
  onError: (err: Error) => void,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
