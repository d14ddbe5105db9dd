import { defaultConfig, findWidget, signSdkFields, signSession } from '../server/index.js';
import { configOption, intOption, parseCommand, str, UsageError } from './args.js';

export const tokenHelp = `se-widgets token --widget ID --sub USER [options]
se-widgets token --sdk --widget ID [--id X] [--user-id USER] [--custom-data TEXT] [--ttl SECONDS]

Mints a session token for a widget, signed with SE_SESSION_SECRET, and prints it alone on the last
line of standard output (its expiry goes to standard error). For a host server written in another
language, see "Signing backend" in the README.

With --sdk it signs a placeholder of a page written for the hosted JS SDK instead, and prints its
data-nonce and data-signature attributes on the last line (README, "Moving from the hosted
widgets"); the other data- attributes must be the ones given here.

Options:
  --widget ID     the widget, as declared in the configuration (required)
  --sub USER      a pseudonymous, stable user id (required)
  --ttl SECONDS   lifetime, 1 to 900 (default 600)
  --problem REF   problem id or code, for a problem widget whose configuration leaves it out
  --config FILE   the backend's configuration: checks the widget and uses its issuer and audience
                  (default: the built-in configuration)
  --sdk           sign an SDK placeholder (data-widget, data-id, data-user-id, data-custom-data)
  --id X, --user-id USER, --custom-data TEXT
                  with --sdk: the placeholder's data-id, data-user-id and data-custom-data
  -h, --help      show this help

Environment:
  SE_SESSION_SECRET  the backend's secret (required)`;

/** `se-widgets token`: prints a session token. */
export async function token(argv: string[]): Promise<number> {
  const values = parseCommand(
    argv,
    {
      widget: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      problem: { type: 'string' },
      config: { type: 'string' },
      sdk: { type: 'boolean' },
      id: { type: 'string' },
      'user-id': { type: 'string' },
      'custom-data': { type: 'string' },
    },
    tokenHelp,
  );
  if (!values) return 0;
  const widget = str(values.widget);
  const sub = str(values.sub);
  const sdk = values.sdk === true;
  if (!widget) throw new UsageError('--widget is required');
  if (!sub && !sdk) throw new UsageError('--sub is required');
  const ttlSeconds = intOption('--ttl', str(values.ttl), 600, 1, 900);
  const secret = process.env.SE_SESSION_SECRET;
  if (!secret) throw new UsageError('SE_SESSION_SECRET is not set');
  const configFile = str(values.config);
  const config = (await configOption(configFile)) ?? defaultConfig();
  const w = findWidget(config, widget);
  if (!w) {
    throw new UsageError(
      `no widget '${widget}' in ${configFile ?? 'the built-in configuration'} ` +
        `(known: ${[...config.widgets.keys()].join(', ')})`,
    );
  }
  if (sdk) {
    const customData = str(values['custom-data']) ?? '';
    const { nonce, signature } = signSdkFields(
      secret,
      { widget, id: str(values.id) ?? '', userId: str(values['user-id']) ?? '', customData },
      ttlSeconds,
    );
    const expires = new Date((Number(nonce.split('.')[0]) || 0) * 1000).toISOString();
    process.stderr.write(`se-widgets token: expires ${expires}\n`);
    process.stdout.write(`data-nonce="${nonce}" data-signature="${signature}"\n`);
    return 0;
  }
  const problemText = str(values.problem);
  if (problemText !== undefined && w.mode !== 'problem') {
    throw new UsageError(`widget '${widget}' is a run widget: it has no problem`);
  }
  if (problemText === undefined && w.mode === 'problem' && w.problem === null) {
    throw new UsageError(`widget '${widget}' leaves the problem to the token: give --problem`);
  }
  const problem =
    problemText === undefined
      ? undefined
      : /^\d+$/.test(problemText)
        ? Number(problemText)
        : problemText;
  const minted = await signSession({
    secret,
    widget: w.id,
    sub: sub!,
    ttlSeconds,
    problem,
    actions: w.actions,
    issuer: config.sessions.issuer,
    audience: config.sessions.audience,
  });
  process.stderr.write(`se-widgets token: expires ${minted.expiresAt}\n`);
  process.stdout.write(minted.token + '\n');
  return 0;
}
