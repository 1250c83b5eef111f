import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// Browsers mark an animation's `finished` promise as handled when cancelling rejects it (Web
// Animations, "reset an animation's pending tasks"); happy-dom does not, so a Fluent dialog
// that closes mid-animation would surface as an unhandled rejection in a test.
const cancel = Animation.prototype.cancel;
Animation.prototype.cancel = function (this: Animation) {
  this.finished.catch(() => undefined);
  return cancel.call(this);
};
