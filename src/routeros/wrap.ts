/**
 * Normalization step 3. RouterOS wraps long command lines at the terminal width
 * (about 80 columns over SSH) with a trailing `\` and continues on a line
 * indented by four spaces; the width depends on the client, not the config.
 */
export const WRAP_INDENT = "    ";
