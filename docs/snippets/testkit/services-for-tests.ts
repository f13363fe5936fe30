import { createTestDatabase, startServices, uniqueNamespace } from '@shardflow/testkit';

const services = await startServices({ kafkaClusters: ['cluster_a'], log: console.log });
console.log(services.addresses.zookeeper, services.addresses.kafka['cluster_a']);
const database = await createTestDatabase(); // a fresh database on SHARDFLOW_MYSQL_URL
const namespace = uniqueNamespace(); // a fresh ZooKeeper namespace for this test
// ... run the code under test against services.addresses, database.config and namespace ...
await database.drop();
await services.stopAll();
// snippet-end
void namespace;
