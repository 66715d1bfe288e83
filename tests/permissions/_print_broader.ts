/** Prints, as JSON, what this process was granted beyond the Permissions in Deno.args[0]. */
import { broaderThanNeeded } from "../../src/permissions/granted_permissions.ts";

console.log(JSON.stringify(await broaderThanNeeded(JSON.parse(Deno.args[0]))));
