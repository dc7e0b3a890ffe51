import { app, output } from '@azure/functions';
import { describeRegistrations } from '../../../sandbox/host/describe';
import { registrations, type RegisteredFunction } from '../../../sandbox/host/functions-core';

// Registered through the real library; the virtual @azure/functions-core mock (jest setupFiles) captures them.
beforeAll(() => {
  app.http('describeHook', {
    methods: ['POST'],
    route: 'hooks/{source}',
    authLevel: 'function',
    handler: async () => ({}),
  });
  app.http('describeDefault', { handler: async () => ({}) });
  app.timer('describeSweep', {
    schedule: '%SWEEP_SCHEDULE%',
    runOnStartup: false,
    handler: async () => undefined,
  });
  app.storageQueue('describeWorker', {
    queueName: 'work',
    connection: 'Data',
    handler: async () => undefined,
  });
  app.storageQueue('describeDefaultConnection', {
    queueName: '%Q%',
    connection: '',
    handler: async () => undefined,
  });
  app.storageBlob('describeBlob', {
    path: 'in/{name}',
    connection: 'Data',
    handler: async () => undefined,
    extraOutputs: [output.storageQueue({ queueName: 'x', connection: 'Data' })],
  });
});

const mine = () =>
  [...registrations.values()].filter((fn: RegisteredFunction) => fn.name.startsWith('describe'));

test('describes each trigger with the settings that wire it, sorted by name', () => {
  expect(describeRegistrations(mine())).toEqual([
    { name: 'describeBlob', trigger: 'other', triggerType: 'blobTrigger' },
    {
      name: 'describeDefault',
      trigger: 'http',
      triggerType: 'httpTrigger',
      route: 'describeDefault',
      methods: ['GET', 'POST'],
      authLevel: 'anonymous',
    },
    {
      name: 'describeDefaultConnection',
      trigger: 'queue',
      triggerType: 'queueTrigger',
      queueName: '%Q%',
      connection: 'AzureWebJobsStorage',
    },
    {
      name: 'describeHook',
      trigger: 'http',
      triggerType: 'httpTrigger',
      route: 'hooks/{source}',
      methods: ['POST'],
      authLevel: 'function',
    },
    {
      name: 'describeSweep',
      trigger: 'timer',
      triggerType: 'timerTrigger',
      schedule: '%SWEEP_SCHEDULE%',
      runOnStartup: false,
    },
    {
      name: 'describeWorker',
      trigger: 'queue',
      triggerType: 'queueTrigger',
      queueName: 'work',
      connection: 'Data',
    },
  ]);
});

test('accepts the registrations Map itself', () => {
  const names = describeRegistrations(registrations).map((d) => d.name);
  expect(names).toEqual(expect.arrayContaining(['describeHook', 'describeSweep']));
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
});
