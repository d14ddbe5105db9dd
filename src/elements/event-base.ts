/**
 * The base class of an se-widgets event of one `type`: bubbling and composed, with a readonly
 * `detail` of type `D` and the type as a static (`SeResultEvent.type`). Each event is declared as
 * `export class SeXEvent extends seEvent('se-x')<SeXDetail> {}`.
 */
export function seEvent<const T extends string>(type: T, options: { cancelable?: boolean } = {}) {
  return class SeEvent<D> extends Event {
    static readonly type: T = type;
    constructor(readonly detail: D) {
      super(type, { bubbles: true, composed: true, cancelable: options.cancelable ?? false });
    }
  };
}
