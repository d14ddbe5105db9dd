// `se-widgets` from the sources, for tests: the same main() the built bin/se-widgets.js runs.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
