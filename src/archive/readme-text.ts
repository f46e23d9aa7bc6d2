/** The root README.md of every tenant repository. */
export function repositoryReadme(tenant: string): string {
  return `# RouterOS configuration archive: ${tenant}

This repository is written by rosarchive. Each file is one device's
normalized \`/export\`: \`<device>.rsc\`, or \`<group>/<device>.rsc\` when the
device has a group. There is one commit per changed snapshot; its trailers
say which device, host, RouterOS version, trigger and collection time.

Sensitive values (passwords, keys, pre-shared keys...) are sealed with age:
\`password=age:<base64url of an age file>\`. To get the exact export back:

    rosarchive decrypt -i identity.txt core-1.rsc > core-1.plain.rsc

One value by hand, with the stock age CLI:

    echo '<the text after age:>' | tr '_-' '/+' | base64 -d 2>/dev/null > v.age   # add '=' padding if needed
    age -d -i identity.txt v.age

Read-only: changes pushed here are refused by the service.
`;
}
