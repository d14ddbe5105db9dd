/** Entry of the script-tag bundle (`dist/cdn/se-widgets.js`): registers every element. */
import './se-solve.js';
