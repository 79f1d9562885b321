// Lesson 03: service discovery through Docker's embedded DNS (127.0.0.11), aliases, and why the
// default bridge has none.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'resolve-name',
      title: { en: 'Resolve a container by name through 127.0.0.11', ko: '127.0.0.11을 통해 컨테이너 이름 해석하기' },
      check: check.all(
        check.containerRunning({ name: 'api', network: 'app_net' }),
        check.containerRunning({ name: 'client', network: 'app_net' }),
        check.resolves({ from: 'client', name: 'api', expectIpOf: { container: 'api', network: 'app_net' } }),
      ),
      hints: [
        { en: 'Create app_net, then run api and client on it.', ko: 'app_net을 만들고 그 위에서 api와 client를 실행하세요.' },
        'docker network create app_net; docker run -d --name api --network app_net nginx; docker run -d --name client --network app_net nginx',
      ],
      solution: [
        { host: 'node1', run: 'docker network create app_net' },
        { host: 'node1', run: 'docker run -d --name api --network app_net nginx' },
        { host: 'node1', run: 'docker run -d --name client --network app_net nginx' },
        { host: 'node1', run: 'docker exec client dig +short api' },
      ],
    },
    {
      id: 'alias',
      title: { en: 'Put two containers behind one alias', ko: '두 컨테이너를 하나의 별칭 뒤에 두기' },
      check: check.all(
        check.containerRunning({ name: 'search1', network: 'app_net', alias: 'search' }),
        check.containerRunning({ name: 'search2', network: 'app_net', alias: 'search' }),
        check.resolves({ from: 'client', name: 'search', expectIpOf: { container: 'search1', network: 'app_net' } }),
        check.resolves({ from: 'client', name: 'search', expectIpOf: { container: 'search2', network: 'app_net' } }),
      ),
      hints: [
        { en: '`--network-alias search` gives a container an extra name on that network.', ko: '`--network-alias search`는 그 네트워크에서 컨테이너에 이름을 하나 더 붙입니다.' },
        'docker run -d --name search1 --network app_net --network-alias search nginx (and search2 likewise)',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name search1 --network app_net --network-alias search nginx' },
        { host: 'node1', run: 'docker run -d --name search2 --network app_net --network-alias search nginx' },
        { host: 'node1', run: 'docker exec client dig +short search' },
      ],
    },
    {
      id: 'default-bridge-no-dns',
      title: { en: 'See that the default bridge has no embedded DNS', ko: '기본 브리지에는 내장 DNS가 없음을 확인하기' },
      check: check.all(
        check.containerRunning({ name: 'loner', network: 'bridge' }),
        check.resolves({ from: 'loner', name: 'api', expect: false }),
        check.resolves({ from: 'loner', name: 'loner', expect: false }),
      ),
      hints: [
        { en: 'Run a container named loner without --network and ask 127.0.0.11 from inside it.', ko: '--network 없이 loner라는 컨테이너를 실행하고 그 안에서 127.0.0.11에 질의하세요.' },
        'docker run -d --name loner nginx; docker exec loner dig @127.0.0.11 api',
      ],
      solution: [{ host: 'node1', run: 'docker run -d --name loner nginx' }],
    },
  ],
});
