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

describe('define module of <se-workspace>', () => {
  it('the script-tag entry defines se-workspace once a page holds one', async () => {
    expect(customElements.get('se-workspace')).to.equal(undefined);
    const el = document.createElement('se-workspace');
    document.body.append(el);
    try {
      await import('../../src/elements/define/all.js');
      await customElements.whenDefined('se-workspace');
      expect(customElements.get('se-workspace')).to.be.a('function');
    } finally {
      el.remove();
    }
  });

  it('importing se-widgets/se-workspace.js registers se-workspace', async () => {
    const mod = await import('../../src/elements/define/se-workspace.js');
    expect(customElements.get('se-workspace')).to.equal(mod.SeWorkspace);
  });
});
