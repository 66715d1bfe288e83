/** Runs `passwordCommand(Deno.args)` once and prints the password or the error's message. */
import { passwordCommand } from "../../src/pool/password_command.ts";

console.log(await passwordCommand(Deno.args)().then((s) => s.reveal(), (e) => e.message));
