<?php
// Fails the image build unless a plugin or theme zip holds the expected version in its header, so a
// pinned URL that serves something else is caught at build time.
[, $zipFile, $entry, $expected] = $argv;
$zip = new ZipArchive();
if ($zip->open($zipFile) !== true) {
    fwrite(STDERR, "$zipFile is not a zip archive\n");
    exit(1);
}
$header = $zip->getFromName($entry);
if ($header === false || !preg_match('/^[ \t\/*#@]*Version:\s*(\S+)/mi', $header, $match)) {
    fwrite(STDERR, "$zipFile has no Version header in $entry\n");
    exit(1);
}
if ($match[1] !== $expected) {
    fwrite(STDERR, "$zipFile holds version {$match[1]}, not $expected\n");
    exit(1);
}
echo "$zipFile: $entry is version {$match[1]}\n";
