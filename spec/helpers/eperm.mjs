// Preloaded with NODE_OPTIONS to stand in for a sandbox that forbids listen(): every
// server listen fails with EPERM, as under macOS Seatbelt or a seccomp profile.
import net from 'node:net';

net.Server.prototype.listen = function listen() {
  const err = Object.assign(new Error('listen EPERM: operation not permitted 127.0.0.1'), { code: 'EPERM', syscall: 'listen' });
  process.nextTick(() => this.emit('error', err));
  return this;
};
