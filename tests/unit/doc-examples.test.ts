import { parseDocExamples } from '../../harness/doc-examples';

const markdown = [
  'Some text.',
  '```sh',
  'npm start   # not an API call, but in a block that has some',
  "curl -s -X POST http://127.0.0.1:8080/api/v1/pipeline -d '{",
  '  "pipeline_id": "orders-etl", "note": "a # inside quotes"',
  "}'",
  '',
  'watch -n1 curl -s http://127.0.0.1:8080/api/v1/pipeline/orders-etl/health   # Created, then Running',
  'curl -i -X POST http://127.0.0.1:8080/api/v1/pipeline/orders-etl/stop        # 204, Stopping, then Stopped',
  'curl -i http://127.0.0.1:8080/api/v1/pipeline/orders-etl                     # 404',
  '```',
  '```sh',
  'npm test',
  '```',
].join('\n');

test('commands of the sh blocks that call the API: continued while a quote is open, watch stripped, comments read', () => {
  expect(parseDocExamples(markdown)).toEqual([
    { command: 'npm start', watched: false, httpStatus: undefined, settlesAt: undefined },
    {
      command: `curl -s -X POST http://127.0.0.1:8080/api/v1/pipeline -d '{\n  "pipeline_id": "orders-etl", "note": "a # inside quotes"\n}'`,
      watched: false,
      httpStatus: undefined,
      settlesAt: undefined,
    },
    {
      command: 'curl -s http://127.0.0.1:8080/api/v1/pipeline/orders-etl/health',
      watched: true,
      httpStatus: undefined,
      settlesAt: 'Running',
    },
    {
      command: 'curl -i -X POST http://127.0.0.1:8080/api/v1/pipeline/orders-etl/stop',
      watched: false,
      httpStatus: 204,
      settlesAt: 'Stopped',
    },
    { command: 'curl -i http://127.0.0.1:8080/api/v1/pipeline/orders-etl', watched: false, httpStatus: 404, settlesAt: undefined },
  ]);
});
