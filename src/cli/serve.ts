import { startServer } from '../server/index.js';
import { intOption, parse, str } from './args.js';

export const serveHelp = `se-widgets serve [options]

Runs the signing backend: the widget API, the demo pages and the built bundles.

Options:
  --port N        port to listen on (env PORT, default 8080)
  --host HOST     address to bind (env HOST, default 127.0.0.1)
  --config FILE   configuration file (JSON)
  -h, --help      show this help`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(serveHelp + '\n');
    return 0;
  }
  const port = intOption('--port', str(values.port) ?? process.env.PORT, 8080);
  const host = str(values.host) ?? process.env.HOST ?? '127.0.0.1';
  const running = await startServer({ port, host });
  process.stdout.write(`se-widgets: serving on ${running.url}/\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await running.close();
  process.stdout.write('se-widgets: stopped\n');
  return 0;
}
