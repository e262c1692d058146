/**
 * Write batching for a socket: every frame written in one tick goes out in one syscall.
 * Under load (many answers ready at once) this turns a write per frame into a write per
 * tick; a lone frame waits only for the end of the current tick.
 */
import type { Duplex } from 'node:stream';

/** Returns a function to call before each write: it corks the socket until the next tick. */
export function tickBatcher(socket: Duplex | undefined): () => void {
  if (!socket || typeof socket.cork !== 'function') return () => {};
  let corked = false;
  const flush = () => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    process.nextTick(flush);
  };
}
