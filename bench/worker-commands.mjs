// The command loop of a forked load generator (lib.mjs forkWorker talks to it): each IPC message
// {type, …} runs handlers[type] and is answered with a message of the same type and its result
// (or `error`); `exit` runs onExit and exits; losing the parent exits. Says `ready` once.

export function serveCommands(handlers, onExit = () => undefined) {
  const reply = (message) => process.send(message);
  process.on('message', (msg) => {
    if (msg.type === 'exit') {
      onExit();
      process.exit(0);
    }
    const handler = handlers[msg.type];
    if (!handler) {
      reply({ type: msg.type, error: `unknown command ${msg.type}` });
      return;
    }
    handler(msg).then(
      (result) => reply({ type: msg.type, ...result }),
      (err) => reply({ type: msg.type, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'ready' });
}
