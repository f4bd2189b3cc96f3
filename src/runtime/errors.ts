/**
 * Errors the runtime throws for infrastructure problems, each with a stable `code`. Failures a
 * plugin causes during a call are not thrown: they come back as a `CallResult` status.
 */
export class PluginRuntimeError extends Error {
  readonly code: string = 'PLUGIN_RUNTIME_ERROR';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The bytes loaded for a module do not hash to the sha256 recorded at publish. */
export class PluginIntegrityError extends PluginRuntimeError {
  override readonly code = 'PLUGIN_INTEGRITY';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`module integrity check failed: expected sha256 ${expected}, got ${actual}`);
  }
}

/** The module imports host functions whose permissions the installation did not grant. */
export class PermissionDeniedError extends PluginRuntimeError {
  override readonly code = 'PERMISSION_DENIED';
  constructor(readonly missing: { function: string; permission: string }[]) {
    super(
      `permission denied: ${missing.map((m) => `host function ${m.function} needs permission "${m.permission}"`).join('; ')}, which the installation did not grant`,
    );
  }
}

/** The module cannot be run here: invalid, not prepared by `prepareModule`, or refused imports. */
export class InvalidModuleError extends PluginRuntimeError {
  override readonly code = 'PLUGIN_INVALID_MODULE';
}

/** `call()` after `close()`, or a call still queued when the runtime closed. */
export class RuntimeClosedError extends PluginRuntimeError {
  override readonly code = 'RUNTIME_CLOSED';
  constructor() {
    super('the plugin runtime is closed');
  }
}
