/**
 * Outside the Functions host, @azure/functions discards registrations ("test mode"). The worker provides a module
 * named @azure/functions-core; a virtual mock of it lets tests capture every registration with its metadata.
 */
import { registrations, fakeCoreModule } from '../../sandbox/host/functions-core';

jest.mock('@azure/functions-core', () => fakeCoreModule, { virtual: true });

export { registrations };
