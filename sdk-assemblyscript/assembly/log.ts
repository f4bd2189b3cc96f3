// Execution log lines (permission `log`). Levels match LOG_LEVELS in src/runtime/abi.ts.
import { host_log } from './host';
import { release, storeString } from './memory';

export namespace log {
  function write(level: i32, message: string): void {
    const offset = storeString(message);
    host_log(level, offset);
    release(offset);
  }
  export function debug(message: string): void {
    write(0, message);
  }
  export function info(message: string): void {
    write(1, message);
  }
  export function warn(message: string): void {
    write(2, message);
  }
  export function error(message: string): void {
    write(3, message);
  }
}
