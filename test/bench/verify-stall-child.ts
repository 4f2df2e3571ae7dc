/**
 * The scheduled full check's cost to a serving process, measured in a process that holds nothing but the database
 * (see `measureFullVerify`): its figures go to stdout as one JSON object.
 */
import { z } from 'zod';
import { measureFullVerify } from './at-any-size.ts';

const database = z.string().min(1).parse(process.argv[2]);
process.stdout.write(JSON.stringify(await measureFullVerify(database)));
