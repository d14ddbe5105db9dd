import { expect } from '@open-wc/testing';
import './report-failures.js';

describe('define modules', () => {
  it('importing se-widgets/se-solve.js registers se-solve', async () => {
    const mod = await import('../../src/elements/define/se-solve.js');
    expect(customElements.get('se-solve')).to.equal(mod.SeSolve);
  });

  it('importing the define module twice does not throw', async () => {
    // A second evaluation of the module (another URL of the same file), as when a page loads both
    // the script-tag bundle and the npm build.
    const again = '../../src/elements/define/se-solve.ts?again';
    await import(again);
    expect(customElements.get('se-solve')).to.be.a('function');
  });

  it('importing the package index defines nothing new', async () => {
    const before = customElements.get('se-solve');
    const index = await import('../../src/elements/index.js');
    expect(index.SeSolve).to.be.a('function');
    expect(customElements.get('se-solve')).to.equal(before);
  });
});
